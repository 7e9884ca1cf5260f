-- Roles a user's access tokens carry, comma-separated (for example 'admin').
-- Granted by operators; no RPC changes them.
alter table users add column roles varchar(512) not null default '';

-- What a CreateUser with a request_id asked for (a SHA-256 of its email and name), so that a
-- retry is told from a different request that reuses the id, even after the user changed.
-- The password is checked against password_hash instead; nothing secret is added.
alter table users add column request_fingerprint varchar(64);

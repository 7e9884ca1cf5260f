-- User accounts. Column lengths are generous: the service validates lengths in code
-- points, and the database only guards against runaway values.
create table users (
    id            uuid                     not null primary key,
    email         varchar(1024)            not null,
    name          varchar(1024)            not null,
    status        varchar(16)              not null,
    password_hash varchar(255),
    request_id    varchar(512),
    version       bigint                   not null,
    created_at    timestamp with time zone not null,
    updated_at    timestamp with time zone not null,
    constraint users_status_check check (status in ('ACTIVE', 'INACTIVE'))
);

-- Emails are stored lower-case, so a plain unique index makes them unique regardless of case.
create unique index users_email_key on users (email);

-- A repeated CreateUser request_id finds the user its first call created.
create unique index users_request_id_key on users (request_id);

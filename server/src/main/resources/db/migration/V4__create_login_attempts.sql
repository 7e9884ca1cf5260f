-- Login attempts per email (lower-cased), shared by every replica. A login reserves an attempt
-- here before its password is checked and deletes the row when it succeeds, so the attempts
-- counted are the failed ones and those still in flight. window_end is when the count lapses;
-- rows past it are deleted by the service.
create table login_attempts (
    email      varchar(1024)            not null primary key,
    attempts   integer                  not null,
    window_end timestamp with time zone not null
);

create index login_attempts_window_end on login_attempts (window_end);

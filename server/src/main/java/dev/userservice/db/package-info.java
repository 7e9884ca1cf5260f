/**
 * The database: the Hikari pool, Flyway migrations, the choice between the embedded H2 and
 * PostgreSQL, statements bound to a call's deadline and the translation of driver errors into
 * the service's own exceptions. It depends on no other project package.
 */
package dev.userservice.db;

/**
 * The user repository on JDBC, one contract on H2 and PostgreSQL: single statements, batched
 * lookups and creates, and the bulk-create paths (COPY on PostgreSQL, straight into the users
 * table or, for a batch with taken emails, into a staging table; batched inserts elsewhere). It
 * depends on user, user.changes (to publish each commit) and db.
 */
package dev.userservice.user.jdbc;

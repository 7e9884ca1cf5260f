/**
 * The live-update feed: the hub that hands committed changes to the streams following a user
 * and to observers such as the account state cache, and the one factory,
 * {@link dev.userservice.user.changes.ChangeFeed}, that picks PostgreSQL LISTEN/NOTIFY or the
 * in-process feed. It depends on user and db.
 */
package dev.userservice.user.changes;

/**
 * Batching of the unary calls' database work: lookups and creates that arrive together share
 * one query or transaction, bounded in number, each answered on its own. It depends on user, db
 * and identity (password hashing of creates).
 */
package dev.userservice.user.batching;

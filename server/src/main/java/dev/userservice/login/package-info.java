/**
 * The Login RPC: request checks, the per-account throttle of failed attempts, and the token it
 * issues. It sits above user and identity (and db for the throttle's table); only server
 * depends on it.
 */
package dev.userservice.login;

/**
 * The settings as configured: each setting with its variable, default and meaning, parsed and
 * checked into plain values ({@link dev.userservice.config.Config}). It depends on no other
 * project package: the start-up wiring maps these values onto the settings record each package
 * owns.
 */
package dev.userservice.config;

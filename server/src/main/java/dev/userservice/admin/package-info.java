/**
 * What an operator does beside the running service, without SQL: grant and remove roles (the
 * first admin above all), straight in the service's database, and announced to every running
 * replica as an admin's UserUpdates would be. It uses the database, the user repository and the
 * change feed, and nothing above them; the command line sits on top of it.
 */
package dev.userservice.admin;

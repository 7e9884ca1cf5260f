/**
 * Users: the model, the repository interface, validation of names, emails, passwords and roles,
 * the domain exceptions, and the account state cache that identity's auth interceptor reads.
 * Its rooms are the subpackages: jdbc (the repository on a database), rpc (the handlers),
 * batching and changes (the live-update feed). It depends on identity only (the interface it
 * implements), never on login or server.
 */
package dev.userservice.user;

/**
 * The leak guard: who this client is ({@link dev.skyward.guard.ClientId}), the local ledger of open
 * pools ({@link dev.skyward.guard.Ledger}, in {@link dev.skyward.guard.SkywardHome}), whether an
 * instance found on a provider is still wanted ({@link dev.skyward.guard.Standing}), and the check
 * {@code build()} makes for this user's expired pools ({@link dev.skyward.guard.ExpiredSweep}).
 * {@code skyward status} and {@code skyward down} are built on the same types.
 */
package dev.skyward.guard;

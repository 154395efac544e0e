/**
 * The local provider: nodes are agent JVMs on this machine. Used when a pool names no provider.
 */
package dev.skyward.local;

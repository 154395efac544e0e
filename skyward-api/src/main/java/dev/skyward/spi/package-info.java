/**
 * The provider SPI: what a source of machines implements ({@link dev.skyward.spi.Provider}) and the
 * values it exchanges with the engine. Applications only pass providers to
 * {@code ComputePool.builder().provider(...)}.
 */
package dev.skyward.spi;

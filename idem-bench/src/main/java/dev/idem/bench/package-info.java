/**
 * Benchmarks: Idem's rates measured in the same run as the raw database round trips they need, so the ratios
 * hold on a noisy machine. Not part of the test suite.
 */
package dev.idem.bench;

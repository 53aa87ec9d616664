/**
 * Engine internals: lease heartbeats and the conversion between exceptions and stored errors. Not API:
 * these types may change in any release.
 */
package dev.idem.internal;

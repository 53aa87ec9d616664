/**
 * A JSON {@link dev.idem.ResultCodec} backed by Jackson 2: {@link dev.idem.jackson.JacksonResultCodec} stores
 * action results as JSON so records, collections, {@code java.time} values and generic types can be
 * replayed.
 */
package dev.idem.jackson;

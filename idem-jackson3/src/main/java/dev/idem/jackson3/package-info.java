/**
 * Results stored as JSON with Jackson 3 ({@code tools.jackson}), the Jackson of Spring Boot 4, usable without Spring;
 * {@code idem-jackson} is the same for Jackson 2.
 */
package dev.idem.jackson3;

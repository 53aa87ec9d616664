package dev.idem.postgres;

import java.util.regex.Pattern;

/**
 * A validated, unquoted PostgreSQL table name, optionally schema-qualified ({@code idem.keys}). Only lower-case
 * letters, digits and underscores, so it can be written into SQL without quoting and without any chance of
 * injection.
 */
final class TableName {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    static final String DEFAULT = "idempotency_keys";

    private final String qualified;
    private final String simple;

    private TableName(String qualified, String simple) {
        this.qualified = qualified;
        this.simple = simple;
    }

    static TableName of(String name) {
        if (name == null) {
            throw new IllegalArgumentException("the table name must not be null");
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("invalid table name '" + name + "': use table or schema.table");
        }
        for (String part : parts) {
            if (!IDENTIFIER.matcher(part).matches()) {
                throw new IllegalArgumentException("invalid table name '" + name + "': each part must match "
                        + IDENTIFIER.pattern() + " (lower-case letters, digits, underscores; at most 63)");
            }
        }
        return new TableName(name, parts[parts.length - 1]);
    }

    /** The name to write into SQL. */
    String sql() {
        return qualified;
    }

    /** The unqualified name, for index and constraint names. */
    String simple() {
        return simple;
    }

    /** The LISTEN/NOTIFY channel of this table (at most 63 characters). */
    String channel() {
        String channel = "idem_" + qualified.replace('.', '_');
        return channel.length() > 63 ? channel.substring(0, 63) : channel;
    }

    @Override
    public String toString() {
        return qualified;
    }
}

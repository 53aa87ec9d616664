package dev.idem.caffeine;

import com.zaxxer.hikari.HikariDataSource;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.PostgresSchema;
import dev.idem.spi.IdempotencyStore;
import dev.idem.tck.IdempotencyStoreContract;
import dev.idem.testing.PostgresTestDatabase;
import org.junit.jupiter.api.AfterAll;

/** The whole store contract through the near cache, in front of the PostgreSQL store on a real server. */
class NearCachePostgresConformanceTest extends IdempotencyStoreContract {

    private static HikariDataSource dataSource;
    private String table;

    @Override
    protected IdempotencyStore createStore() {
        synchronized (NearCachePostgresConformanceTest.class) {
            if (dataSource == null) {
                dataSource = PostgresTestDatabase.newDataSource(40);
            }
        }
        table = PostgresTestDatabase.uniqueTableName("idem_nc");
        PostgresSchema.create(dataSource, table);
        return NearCacheIdempotencyStore.wrap(PostgresIdempotencyStore.builder(dataSource).table(table).build());
    }

    @Override
    protected void disposeStore(IdempotencyStore store) {
        ((PostgresIdempotencyStore) ((NearCacheIdempotencyStore) store).delegate()).close();
        PostgresTestDatabase.execute(dataSource, "DROP TABLE IF EXISTS " + table);
    }

    @AfterAll
    static void closePool() {
        if (dataSource != null) {
            dataSource.close();
            dataSource = null;
        }
    }
}

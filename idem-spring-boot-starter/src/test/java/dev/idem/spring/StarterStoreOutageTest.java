package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.IdempotencyStoreException;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.spring.HttpClients.Transport;
import dev.idem.spring.app.TestApplication;
import dev.idem.spring.app.TestEndpoints;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.test.web.servlet.MockMvc;

/**
 * With its store down, a protected request gets 503 problem+json and the application does not run it (fail
 * closed), through MockMvc and the real server. The application's own store bean wins over the auto-configured one.
 */
@SpringBootTest(classes = {TestApplication.class, StarterStoreOutageTest.DownStore.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.autoconfigure.exclude=" + StarterAutoConfigurations.SECURITY + ","
                + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@AutoConfigureMockMvc
class StarterStoreOutageTest {

    @LocalServerPort
    int port;
    @Autowired
    MockMvc mvc;
    @Autowired
    TestEndpoints endpoints;

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStoreOutageIsA503ProblemAndNothingRuns(Transport transport) throws Exception {
        int before = endpoints.executions();

        HttpClients.client(transport, mvc, port).post("/count", "k-down", "{}")
                .assertProblem(503, "store-unavailable");

        assertThat(endpoints.executions()).isEqualTo(before);
    }

    /** A store that is permanently down. */
    @TestConfiguration(proxyBeanMethods = false)
    static class DownStore {
        @Bean
        IdempotencyStore downStore() {
            return new IdempotencyStore() {
                private IdempotencyStoreException down() {
                    return new IdempotencyStoreException("connection refused (test outage)");
                }

                @Override
                public ClaimResult claim(ClaimRequest request) {
                    throw down();
                }

                @Override
                public Optional<StoredRecord> find(RecordId id, Instant now) {
                    throw down();
                }

                @Override
                public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
                    throw down();
                }

                @Override
                public boolean fail(RecordId id, OwnerToken token, StoredError error) {
                    throw down();
                }

                @Override
                public boolean release(RecordId id, OwnerToken token) {
                    throw down();
                }

                @Override
                public boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil) {
                    throw down();
                }

                @Override
                public int pruneExpiredBefore(Instant cutoff, int limit) {
                    throw down();
                }
            };
        }
    }
}

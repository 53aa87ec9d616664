package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.idem.IdempotencyStoreException;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.spring.app.OrdersController;
import dev.idem.spring.app.TestApplication;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.test.web.servlet.MockMvc;

/** With its store down, a protected request gets 503 problem+json and the application does not run it. */
@SpringBootTest(classes = {TestApplication.class, IdemStarterStoreOutageTest.DownStore.class},
        properties = {"spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"})
@AutoConfigureMockMvc
class IdemStarterStoreOutageTest {

    @Autowired
    MockMvc mvc;
    @Autowired
    OrdersController orders;

    @Test
    void aStoreOutageIsA503ProblemAndNothingRuns() throws Exception {
        mvc.perform(post("/orders").header("Idempotency-Key", "k-down").contentType("application/json")
                        .content("{\"plan\":\"monthly\"}"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Content-Type", org.hamcrest.Matchers.startsWith("application/problem+json")))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("store-unavailable")));
        assertThat(orders.ordersPlaced()).isZero();
    }

    /** The application's own store bean (it wins over the auto-configured one), here permanently down. */
    @TestConfiguration
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

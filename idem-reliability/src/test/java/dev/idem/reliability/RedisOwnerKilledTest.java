package dev.idem.reliability;

/**
 * {@link OwnerKilledTest} on three instances whose records are in Redis: a killed owner's keys answer 409 while its
 * lease lives in Redis, then are taken over and run once more, their effect written once. Redis has no
 * transactional mode, so only two-phase keys are killed.
 */
class RedisOwnerKilledTest extends OwnerKilledTest {

    @Override
    protected Cluster cluster() {
        return Cluster.onRedis();
    }

    @Override
    protected boolean transactionalMode() {
        return false;
    }
}

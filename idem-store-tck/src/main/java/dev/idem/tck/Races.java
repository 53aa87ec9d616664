package dev.idem.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs work on many threads released at the same instant by one latch, so that calls really race. Failures
 * of any thread fail the caller.
 */
public final class Races {

    /** Work on one item. */
    @FunctionalInterface
    public interface ItemTask<T> {
        void run(T item) throws Exception;
    }

    private Races() {
    }

    /** Spreads {@code items} over {@code threads} threads (thread t takes items t, t+threads, ...). */
    public static <T> void forEach(int threads, List<T> items, ItemTask<T> task) throws Exception {
        List<Callable<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            workers.add(() -> {
                for (int i = offset; i < items.size(); i += threads) {
                    task.run(items.get(i));
                }
                return null;
            });
        }
        all(workers);
    }

    /** Runs {@code callers} copies of {@code call} at once and returns their results in order. */
    public static <T> List<T> times(int callers, Callable<T> call) throws Exception {
        List<Callable<T>> calls = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            calls.add(call);
        }
        return all(calls);
    }

    private static <T> List<T> all(List<Callable<T>> calls) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> call : calls) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(5, TimeUnit.MINUTES));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}

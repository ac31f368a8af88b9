package oci.registry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import javax.net.ssl.SSLException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Retries a request that failed for a reason that may pass: a 5xx answer, a connection reset
 * before the response, or a 429 (waiting as long as its Retry-After says, within a cap).
 * Unknown hosts, refused connections and TLS failures are not retried: they will not pass.
 * A transfer cut in the middle of a body is resumed by the blob puller, not here.
 */
final class RetryInterceptor implements Interceptor {
    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxRetryAfter;
    private final Events events;

    /** Where retries are reported (progress events). */
    interface Events {
        void retrying(String what, int attempt, String cause, Duration delay);
    }

    RetryInterceptor(int maxAttempts, Duration baseDelay, Duration maxRetryAfter, Events events) {
        this.maxAttempts = maxAttempts;
        this.baseDelay = baseDelay;
        this.maxRetryAfter = maxRetryAfter;
        this.events = events;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        for (int attempt = 1; ; attempt++) {
            boolean last = attempt >= maxAttempts;
            Response r;
            try {
                r = chain.proceed(chain.request());
            } catch (UnknownHostException | ConnectException | SSLException | InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                if (last) throw e;
                pause(chain, attempt, "connection failed: " + e.getMessage(), backoff(attempt));
                continue;
            }
            int code = r.code();
            if (last || !(code == 429 || code == 500 || code == 502 || code == 503 || code == 504)) return r;
            Duration delay = code == 429 || code == 503 ? retryAfter(r.header("Retry-After"), attempt) : backoff(attempt);
            r.close();
            pause(chain, attempt, "HTTP " + code, delay);
        }
    }

    private void pause(Chain chain, int attempt, String cause, Duration delay) throws IOException {
        if (events != null) events.retrying(Caller.describe(chain.request()), attempt, cause, delay);
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }

    /** Exponential: base, 2×base, 4×base… */
    Duration backoff(int attempt) {
        return baseDelay.multipliedBy(1L << Math.min(attempt - 1, 6));
    }

    /** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), capped; the backoff when absent or unreadable. */
    Duration retryAfter(String header, int attempt) {
        if (header == null) return backoff(attempt);
        Duration d;
        try {
            d = Duration.ofSeconds(Long.parseLong(header.trim()));
        } catch (NumberFormatException notSeconds) {
            try {
                d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (RuntimeException notDate) {
                return backoff(attempt);
            }
        }
        if (d.isNegative()) d = Duration.ZERO;
        return d.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : d;
    }
}

import test from 'ava';
import { ProviderError } from '../src/dns/provider.js';
import { withRetry } from '../src/dns/retry.js';

test('a shutdown ends a provider\'s backoff at once and makes no further attempt', async (t) => {
  const controller = new AbortController();
  let attempts = 0;
  const started = Date.now();
  const pending = withRetry(
    async () => {
      attempts += 1;
      throw new ProviderError({ provider: 'Ali', action: 'DescribeSubDomainRecords', code: 'Throttling.User', retryable: true, auth: false, message: 'throttled' });
    },
    { policy: { attempts: 5, baseMs: 5000, maxMs: 5000 }, signal: controller.signal },
  );
  setTimeout(() => controller.abort(), 50);
  const outcome = await pending;
  t.false(outcome.ok);
  t.is(attempts, 1);
  t.true(Date.now() - started < 1000, 'the 5 s backoff did not run out');
});

import { CHROMIUM, RABBITMQ, REDIS } from '../../scripts/systemTools';
import { needsOf } from '../support/runNeeds';

const unit = { path: 'unit/money.test.ts', source: `import { parseMoney } from '../../lib/money';` };
const broker = { path: 'e2e/eventsBroker.test.ts', source: `import { startRabbitMq } from '../support/rabbitmq';` };
const browser = { path: 'e2e/browser.test.ts', source: `import { launchChromium } from '../support/chromium';` };
const redis = { path: 'e2e/rateLimits.test.ts', source: `import { startRedis } from '../support/redis';` };
const dashboard = { path: 'e2e/dashboard.test.ts', source: `import { startStack } from '../support/stack';` };

test('a run of unit tests alone needs no engine, broker, browser or package', () => {
  expect(needsOf([unit], {})).toEqual({ engines: false, rabbitMq: false, tools: [] });
});

test('integration and end-to-end files need the engines; only the files that use them need the system packages', () => {
  expect(needsOf([unit, dashboard], {})).toEqual({ engines: true, rabbitMq: false, tools: [] });
  expect(needsOf([broker, browser, redis, dashboard], {})).toEqual({ engines: true, rabbitMq: true, tools: [RABBITMQ, CHROMIUM, REDIS] });
});

test('a broker or Redis named by the environment replaces the package', () => {
  expect(needsOf([broker, redis], { TEST_AMQP_URL: 'amqp://broker:5672', TEST_REDIS_URL: 'redis://cache:6379' })).toEqual({
    engines: true,
    rabbitMq: false,
    tools: [],
  });
});

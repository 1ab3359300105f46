import { describe, expect, it } from 'vitest';
import { connectNats, findNatsServer, NATS_SERVER_MISSING, NatsServer } from '../src/index.js';

describe('the nats-server kubesim starts', () => {
  it('is found on PATH, in Debian\'s place, or named by KUBESIM_NATS_SERVER', () => {
    expect(findNatsServer()).toMatch(/nats-server$/);
    expect(findNatsServer({ PATH: '', KUBESIM_NATS_SERVER: '/usr/sbin/nats-server' }, [])).toBe('/usr/sbin/nats-server');
  });

  it('when missing, fails with how to install it (never a silent skip)', async () => {
    expect(() => findNatsServer({ PATH: '/nonexistent' }, [])).toThrow(NATS_SERVER_MISSING);
    expect(NATS_SERVER_MISSING).toContain('apt-get install -y nats-server');
    await expect(NatsServer.start({ binary: '/nonexistent/nats-server' })).rejects.toThrow(/cannot start \/nonexistent\/nats-server|exited/);
  });

  it('starts on a free loopback port with a temporary store, survives kill -9 and restarts on the same port', async () => {
    await using server = await NatsServer.start();
    expect(server.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    const port = server.port;
    await server.kill();
    expect(server.running).toBe(false);
    await server.start();
    expect(server.port).toBe(port);
    const nc = await connectNats({ url: server.url, name: 'test' });
    await nc.close();
  });
});

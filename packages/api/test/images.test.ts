import { describe, expect, it } from 'vitest';
import { nodeImageEntry, normalizeImageName, simulatedImageDigest, simulatedImageId, simulatedImageSize } from '../src/index.js';

describe('image references', () => {
  it('normalizes as a container runtime names them (ParseNormalizedNamed + TagNameOnly)', () => {
    const cases: [string, string][] = [
      ['nginx', 'docker.io/library/nginx:latest'],
      ['nginx:1.25', 'docker.io/library/nginx:1.25'],
      ['bitnami/redis:7', 'docker.io/bitnami/redis:7'],
      ['docker.io/library/nginx:1.25', 'docker.io/library/nginx:1.25'],
      ['registry.k8s.io/pause', 'registry.k8s.io/pause:latest'],
      ['localhost/app:dev', 'localhost/app:dev'],
      ['localhost:5000/app', 'localhost:5000/app:latest'],
      ['quay.io/org/app@sha256:abc', 'quay.io/org/app@sha256:abc'],
      ['nginx@sha256:abc', 'docker.io/library/nginx@sha256:abc'],
    ];
    for (const [raw, normal] of cases) expect(normalizeImageName(raw), raw).toBe(normal);
  });

  it('made-up digests and sizes are a function of the normal name; a node lists an image by digest and tag', () => {
    expect(simulatedImageDigest('nginx:1.25')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(simulatedImageDigest('nginx:1.25')).toBe(simulatedImageDigest('docker.io/library/nginx:1.25'));
    expect(simulatedImageDigest('nginx:1.25')).not.toBe(simulatedImageDigest('nginx:1.26'));
    expect(simulatedImageSize('nginx')).toBe(simulatedImageSize('docker.io/library/nginx:latest'));
    expect(simulatedImageSize('nginx')).toBeGreaterThanOrEqual(5_000_000);
    expect(simulatedImageSize('nginx')).toBeLessThan(500_000_000);
    expect(simulatedImageId('nginx:1.25')).toBe(`docker.io/library/nginx@${simulatedImageDigest('nginx:1.25')}`);
    expect(nodeImageEntry('nginx:1.25')).toEqual({ names: [simulatedImageId('nginx:1.25'), 'docker.io/library/nginx:1.25'], sizeBytes: simulatedImageSize('nginx:1.25') });
    expect(nodeImageEntry('nginx@sha256:abc').names).toEqual(['docker.io/library/nginx@sha256:abc']);
  });
});

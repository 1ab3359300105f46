import { describe, expect, it } from 'vitest';
import { goTabwriter, PrefixWriter, printPodTemplate, rfc1123z, writeLabels } from '../src/index.js';

describe('kubectl describe layout (Go text/tabwriter, minwidth 0, padding 2)', () => {
  it('aligns a column over each run of consecutive lines with a cell in it; a line without a tab ends the run', () => {
    expect(goTabwriter('Name:\tweb\nNamespace:\tdefault\nPod Template:\n  Labels:\tapp=web\n')).toBe('Name:       web\nNamespace:  default\nPod Template:\n  Labels:  app=web\n');
    // Nested columns are aligned within their run; text after a line's last tab is not a cell.
    expect(goTabwriter('  Type\tReason\tAge\n  ----\t------\t---\n  Normal\tCreated\t5s\n')).toBe('  Type    Reason   Age\n  ----    ------   ---\n  Normal  Created  5s\n');
    expect(goTabwriter('a\tb')).toBe('a  b');
  });

  it('labels continue on lines of their own, aligned under the first value (printLabelsMultiline)', () => {
    const w = new PrefixWriter();
    w.write(0, 'Name:\tweb\n');
    writeLabels(w, 'Labels', { tier: 'db', app: 'web' });
    writeLabels(w, 'Selectors', {});
    expect(w.flush()).toBe('Name:       web\nLabels:     app=web\n            tier=db\nSelectors:  <none>\n');
  });

  it('a pod template as DescribePodTemplate prints it (1.35: named ports)', () => {
    expect(printPodTemplate({
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }, { containerPort: 443, protocol: 'TCP', name: 'https' }], env: [{ name: 'A', value: '1' }],
          readinessProbe: { httpGet: { path: '/ready', port: 80 }, periodSeconds: 5 }, volumeMounts: [{ name: 'd', mountPath: '/data', readOnly: true }] }],
        volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }],
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
      },
    })).toBe([
      'Pod Template:', '  Labels:  app=web', '  Containers:', '   c:',
      // kubectl 1.34+ (kubernetes#133018): a named port with its name, the ports joined by ", ".
      '    Image:       nginx:1.25', '    Ports:       80/TCP, 443/TCP (https)', '    Host Ports:  0/TCP, 0/TCP (https)',
      '    Readiness:   http-get http://:80/ready delay=0s timeout=1s period=5s #success=1 #failure=3', '    Environment:',
      '      A:  1', '    Mounts:', '      /data from d (ro)', '  Volumes:', '   d:',
      // One run of tabbed lines from the volume's fields to the tolerations: aligned together, as in kubectl's own output.
      '    Type:          PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)', '    ClaimName:     data', '    ReadOnly:      false',
      '  Node-Selectors:  <none>', '  Tolerations:     k:NoSchedule op=Exists', '',
    ].join('\n'));
  });

  it('environment from ConfigMaps and Secrets, and ConfigMap, Secret and projected volumes (describeContainerEnvFrom, printProjectedVolumeSource)', () => {
    const out = printPodTemplate({
      spec: {
        containers: [{
          name: 'c', image: 'mysql:8.4', envFrom: [{ configMapRef: { name: 'env' } }, { secretRef: { name: 'creds', optional: true }, prefix: 'DB_' }],
          env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }, { name: 'L', valueFrom: { configMapKeyRef: { name: 'env', key: 'level', optional: true } } }],
        }],
        volumes: [
          { name: 'cfg', configMap: { name: 'app' } }, { name: 'sec', secret: { secretName: 'tls', optional: true } },
          { name: 'all', projected: { sources: [{ configMap: { name: 'app' } }, { secret: { name: 'tls', optional: false } }] } },
        ],
      },
    });
    expect(out).toContain([
      '    Environment Variables from:', '      env    ConfigMap                 Optional: false', "      creds  Secret with prefix 'DB_'  Optional: true",
      // The environment's rows and `Mounts:` are one run of tabbed lines (Go's tabwriter, as kubectl prints them).
      '    Environment:', "      P:     <set to the key 'password' in secret 'db'>    Optional: false", "      L:     <set to the key 'level' of config map 'env'>  Optional: true",
      '    Mounts:  <none>',
    ].join('\n'));
    expect(out).toContain([
      '   all:', '    Type:           Projected (a volume that contains injected data from multiple sources)',
      '    ConfigMapName:  app', '    Optional:       false', '    SecretName:     tls', '    Optional:       false',
    ].join('\n'));
  });

  it('resources as resource.Quantity prints them (canonical: 0.5 → 500m, 1024Mi → 1Gi), limits before requests, names sorted', () => {
    const out = printPodTemplate({ spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { memory: '1024Mi', cpu: '0.5' }, limits: { cpu: '2000m' } } }] } });
    expect(out).toMatch(/\n {4}Limits:\n {6}cpu: {2}2\n {4}Requests:\n {6}cpu: +500m\n {6}memory: +1Gi\n {4}Environment: +<none>\n/);
  });

  it('RFC 1123 with a numeric zone', () => {
    expect(rfc1123z('2026-01-01T00:00:05Z')).toBe('Thu, 01 Jan 2026 00:00:05 +0000');
  });
});

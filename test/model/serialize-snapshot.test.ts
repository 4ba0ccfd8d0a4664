import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../src/model/build-snapshot.js';
import { serializeSnapshot, snapshotFromData } from '../../src/model/serialize-snapshot.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';
import { bookinfoObjects } from './bookinfo.js';

describe('serializeSnapshot / snapshotFromData', () => {
  const snapshot = buildSnapshot({ mesh: DEFAULT_MESH_CONFIG, objects: bookinfoObjects() });

  it('writes plain JSON that survives a JSON round trip unchanged', () => {
    const data = serializeSnapshot(snapshot);
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    expect(data.services.map((s) => s.hostname)).toEqual([...snapshot.services.keys()]);
    expect(Object.keys(data.endpoints)).toEqual([...snapshot.endpoints.hosts()]);
    expect(data.virtualServices[0]!.meta.source).toBe('reviews-routing.yaml#2');
  });

  it('reads back a snapshot with the same data and working indexes', () => {
    const back = snapshotFromData(serializeSnapshot(snapshot));
    expect(serializeSnapshot(back)).toEqual(serializeSnapshot(snapshot));
    const host = 'reviews.default.svc.cluster.local';
    expect(back.indexes.destinationRuleFor('default', host, 'default')?.from).toEqual(['default/reviews']);
    expect(back.endpoints.select(host, snapshot.services.get(host)!.ports[0]!, { version: 'v2' }).map((e) => e.port)).toEqual([19084]);
    expect(Object.isFrozen(back.services.get(host))).toBe(true);
  });

  it('content-only output leaves out the id, sources and resource versions', () => {
    const data = serializeSnapshot(snapshot, { contentOnly: true });
    expect(data.id).toBe(0);
    expect(data.virtualServices[0]!.meta).not.toHaveProperty('source');
  });
});

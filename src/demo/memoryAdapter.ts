import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * A small in-memory adapter, private to one issuer. oidc-provider's built-in
 * one works too but prints a "development-only" warning for every instance.
 */
export function memoryAdapterFactory(): (model: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const sweep = () => {
    const now = Date.now();
    for (const [key, entry] of store) if (entry.expiresAt <= now) store.delete(key);
  };

  return (model) => {
    const keyFor = (id: string) => `${model}:${id}`;
    const get = (key: string) => {
      const entry = store.get(key);
      return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
    };
    const findWhere = (match: (payload: AdapterPayload) => boolean) => {
      for (const [key, entry] of store) {
        if (key.startsWith(`${model}:`) && entry.expiresAt > Date.now() && match(entry.payload)) return entry.payload;
      }
      return undefined;
    };
    return {
      async upsert(id, payload, expiresIn) {
        if (store.size > 1000) sweep();
        store.set(keyFor(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      },
      async find(id) { return get(keyFor(id)); },
      async findByUid(uid) { return findWhere((p) => p.uid === uid); },
      async findByUserCode(userCode) { return findWhere((p) => p.userCode === userCode); },
      async consume(id) {
        const payload = get(keyFor(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) { store.delete(keyFor(id)); },
      async revokeByGrantId(grantId) {
        for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
      },
    };
  };
}

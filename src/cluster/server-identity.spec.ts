import { describe, expect, it } from 'vitest';
import { parseServerIdentity } from './server-identity.js';

describe('parseServerIdentity', () => {
  it('reads Redis from redis_version', () => {
    const reply = '# Server\r\nredis_version:8.0.2\r\nredis_git_sha1:00000000\r\nredis_mode:cluster\r\ngcc_version:14.2.0\r\n';
    expect(parseServerIdentity(reply)).toEqual({ server: 'redis', version: '8.0.2' });
  });

  it('reads Valkey from valkey_version and server_name, not the redis_version it keeps for old clients', () => {
    const reply = '# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.1.1\r\nredis_mode:cluster\r\n';
    expect(parseServerIdentity(reply)).toEqual({ server: 'valkey', version: '8.1.1' });
  });

  it('names another server by its server_name, with the Redis version it claims', () => {
    expect(parseServerIdentity('server_name:keydb\r\nredis_version:6.3.4\r\n')).toEqual({ server: 'keydb', version: '6.3.4' });
  });

  it('refuses a reply with no version', () => {
    expect(() => parseServerIdentity('# Server\r\nredis_mode:cluster\r\n')).toThrow('INFO server names no version');
  });
});

import { describe, expect, it } from 'vitest';
import { parseInfo, parseReplicationInfo } from './redis-info.parser.js';

describe('parseReplicationInfo', () => {
  it('reads a master and its connected replicas', () => {
    const info = parseReplicationInfo(
      '# Replication\r\nrole:master\r\nconnected_slaves:2\r\n' +
        'slave0:ip=127.0.0.1,port=7006,state=online,offset=315168883,lag=0\r\n' +
        'slave1:ip=127.0.0.1,port=7013,state=online,offset=315168800,lag=1\r\nmaster_repl_offset:315168883\r\n',
    );
    expect(info).toMatchObject({ role: 'master', masterReplOffset: 315168883, replicaOffset: undefined, masterAddress: undefined });
    expect(info.replicas).toEqual([
      { host: '127.0.0.1', port: 7006, state: 'online', offset: 315168883 },
      { host: '127.0.0.1', port: 7013, state: 'online', offset: 315168800 },
    ]);
  });

  it('reads a replica with its link, sync state and offset', () => {
    const info = parseReplicationInfo(
      'role:slave\nmaster_host:127.0.0.1\nmaster_port:7003\nmaster_link_status:up\nmaster_sync_in_progress:0\nslave_repl_offset:42\nmaster_repl_offset:42\n',
    );
    expect(info).toMatchObject({
      role: 'replica',
      masterAddress: '127.0.0.1:7003',
      masterLinkUp: true,
      syncInProgress: false,
      replicaOffset: 42,
    });
  });

  it('refuses a reply without a role', () => {
    expect(() => parseReplicationInfo('connected_slaves:0\n')).toThrow(/no role/);
  });

  it('keeps values that contain colons', () => {
    expect(parseInfo('executable:/usr/bin/redis-server\nconfig_file:C:\\redis.conf').get('config_file')).toBe('C:\\redis.conf');
  });
});

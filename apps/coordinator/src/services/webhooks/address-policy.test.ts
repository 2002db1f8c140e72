import { describe, expect, it } from 'vitest';
import {
  isForbiddenAddress,
  type Resolve,
  resolveWebhookTarget,
  WebhookTargetError,
} from './address-policy.js';

describe('isForbiddenAddress', () => {
  it.each([
    ['0.0.0.0'],
    ['0.1.2.3'],
    ['10.0.0.1'],
    ['10.255.255.255'],
    ['100.64.0.1'],
    ['127.0.0.1'],
    ['127.255.255.254'],
    ['169.254.0.1'],
    ['169.254.169.254'],
    ['172.16.0.1'],
    ['172.31.255.255'],
    ['192.168.0.1'],
    ['192.168.255.255'],
    ['192.0.2.1'],
    ['198.18.0.1'],
    ['224.0.0.1'],
    ['255.255.255.255'],
    ['::'],
    ['::1'],
    ['0:0:0:0:0:0:0:1'],
    ['fe80::1'],
    ['febf:ffff::1'],
    ['fc00::1'],
    ['fd12:3456::1'],
    ['ff02::1'],
    ['2001:db8::1'],
    ['::ffff:127.0.0.1'],
    ['::ffff:7f00:1'],
    ['::ffff:10.1.2.3'],
    ['::ffff:169.254.169.254'],
    ['::ffff:192.168.1.1'],
    ['::127.0.0.1'],
    ['64:ff9b::10.0.0.1'],
    ['64:ff9b::a9fe:a9fe'],
    ['2002:c0a8:101::1'],
    ['2001:0:4136:e378::1'],
    ['not-an-ip'],
  ])('refuses %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['172.15.255.255'],
    ['172.32.0.1'],
    ['192.167.255.255'],
    ['169.253.255.255'],
    ['11.0.0.1'],
    ['126.255.255.255'],
    ['2606:4700:4700::1111'],
    ['::ffff:8.8.8.8'],
    ['64:ff9b::808:808'],
    ['2002:808:808::1'],
    ['fe00::1'], // between the unicast and the link-local ranges
  ])('allows %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});

describe('resolveWebhookTarget', () => {
  const noDns: Resolve = async () => {
    throw new Error('no DNS in this test');
  };
  const refused = (url: string, resolve: Resolve = noDns) =>
    expect(resolveWebhookTarget(new URL(url), false, resolve)).rejects.toThrow(WebhookTargetError);

  it.each([
    ['http://127.0.0.1:8080/hook'],
    ['http://2130706433/'], // decimal
    ['http://0x7f000001/'], // hex
    ['http://0x7f.1/'], // mixed
    ['http://0177.0.0.1/'], // octal
    ['http://127.1/'], // short form
    ['http://0/'],
    ['http://[::1]/'],
    ['http://[::ffff:127.0.0.1]/'],
    ['http://[0:0:0:0:0:ffff:a9fe:a9fe]/'],
    ['http://[fe80::1]/'],
    ['https://169.254.169.254/latest/meta-data/'],
    ['http://0xa9.0xfe.0xa9.0xfe/'],
  ])('refuses the literal %s without DNS', async (url) => {
    await refused(url);
  });

  it('refuses a name when any address it resolves to is private (mixed answers too)', async () => {
    await refused('https://hooks.example/', async () => [{ address: '10.0.0.5', family: 4 }]);
    await refused('https://hooks.example/', async () => [
      { address: '93.184.215.14', family: 4 },
      { address: 'fd00::1', family: 6 },
    ]);
    await refused('http://localhost:9/'); // real resolver: /etc/hosts
  });

  it('refuses a name that does not resolve', async () => {
    await expect(
      resolveWebhookTarget(new URL('https://nx.example/'), false, noDns),
    ).rejects.toThrow(/does not resolve/);
  });

  it('returns the checked addresses of a public name', async () => {
    const resolve: Resolve = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ];
    expect(await resolveWebhookTarget(new URL('https://hooks.example/x'), false, resolve)).toEqual(
      await resolve(''),
    );
  });

  it('allows private targets with WEBHOOK_ALLOW_PRIVATE', async () => {
    expect(await resolveWebhookTarget(new URL('http://127.0.0.1:9/'), true, noDns)).toEqual([
      { address: '127.0.0.1', family: 4 },
    ]);
  });
});

// Choosing this host's IPv6 address from /proc/net/if_inet6 (flags included), as pure functions:
// the kernel's text in, one stable global address out, whatever order the kernel lists them in.
import test from 'ava';
import fc from 'fast-check';
import { chooseIpv6, parseIfInet6, readInterface, IFA_F, type Inet6Entry } from '../src/ip/interfaces.js';

// Captured from a namespace with use_tempaddr=2 (test/fixtures/netns-ipv6-privacy.ts), plus v1's entries.
const PROC = `240e0001000200020000000000000007 03 40 00 a0      cs0
fd000000000000000000000000000002 03 40 00 80      cs0
240e0001000200030000000000000005 03 40 00 80      cs0
fe800000000000000c237cfffe56fb0b 02 40 20 c0    cs0p
fe8000000000000058bafffffe17c6d1 03 40 20 80      cs0
240e0001000200038b90ea2c4fb7c0fd 03 40 00 01      cs0
00000000000000000000000000000001 01 80 10 80       lo
`;

test('parseIfInet6 reads address, device, prefix length and flags; skips lines of another shape', (t) => {
  const entries = parseIfInet6(`${PROC}garbage line\n\n`);
  t.is(entries.length, 7);
  t.deepEqual(entries[0], { address: '240e:1:2:2::7', device: 'cs0', prefixLength: 64, flags: IFA_F.PERMANENT | IFA_F.DEPRECATED });
  t.deepEqual(entries[5], { address: '240e:1:2:3:8b90:ea2c:4fb7:c0fd', device: 'cs0', prefixLength: 64, flags: IFA_F.TEMPORARY });
  t.deepEqual(entries[6], { address: '::1', device: 'lo', prefixLength: 128, flags: IFA_F.PERMANENT });
});

test('chooseIpv6 takes the stable global address: not temporary, deprecated, tentative, link-local or unique-local', (t) => {
  const cs0 = parseIfInet6(PROC).filter((e) => e.device === 'cs0');
  t.is(chooseIpv6('cs0', cs0), '240e:1:2:3::5');
  t.is(readInterface('cs0', 'ipv6', { table: {}, ifInet6: PROC }), '240e:1:2:3::5');
});

test('chooseIpv6 says why each address was skipped when none is usable', (t) => {
  const e = (address: string, flags: number): Inet6Entry => ({ address, device: 'eth0', prefixLength: 64, flags });
  t.throws(
    () =>
      chooseIpv6('eth0', [
        e('240e:1:2:3:8b90:ea2c:4fb7:c0fd', IFA_F.TEMPORARY),
        e('240e:1:2:2::7', IFA_F.PERMANENT | IFA_F.DEPRECATED),
        e('240e:1:2:4::9', IFA_F.TENTATIVE),
        e('240e:1:2:5::9', IFA_F.DADFAILED | IFA_F.TENTATIVE),
        e('fd00::2', IFA_F.PERMANENT),
        e('fe80::1', IFA_F.PERMANENT),
      ]),
    {
      message:
        'interface eth0 has no stable global IPv6 address: 240e:1:2:3:8b90:ea2c:4fb7:c0fd is temporary (privacy extensions); ' +
        '240e:1:2:2::7 is deprecated (preferred lifetime over); 240e:1:2:4::9 is tentative (duplicate address detection not done); ' +
        '240e:1:2:5::9 failed duplicate address detection; fd00::2 is a unique-local address (fc00::/7); fe80::1 is link-local',
    },
  );
  t.throws(() => chooseIpv6('eth0', []), { message: 'interface eth0 has no stable global IPv6 address' });
  t.throws(() => readInterface('eth9', 'ipv6', { table: {}, ifInet6: PROC }), { message: 'no network interface named eth9' });
});

test('chooseIpv6 is deterministic: the same address whatever order the kernel lists them in', (t) => {
  const stable: Inet6Entry[] = [
    { address: '240e:1:2:3::5', device: 'eth0', prefixLength: 64, flags: 0 },
    { address: '240e:1:2:3:5054:ff:fe12:3456', device: 'eth0', prefixLength: 64, flags: 0 },
    { address: '2408:8000::9', device: 'eth0', prefixLength: 128, flags: 0 },
  ];
  const noise: Inet6Entry[] = [
    { address: '240e:1:2:3:8b90:ea2c:4fb7:c0fd', device: 'eth0', prefixLength: 64, flags: IFA_F.TEMPORARY },
    { address: '240e:1:2:3:1111:2222:3333:4444', device: 'eth0', prefixLength: 64, flags: IFA_F.TEMPORARY | IFA_F.DEPRECATED },
    { address: '240e::1', device: 'eth0', prefixLength: 64, flags: IFA_F.DEPRECATED },
  ];
  // Without a manually configured address, the numerically lowest stable one.
  fc.assert(fc.property(fc.shuffledSubarray([...stable, ...noise], { minLength: 6 }), (entries) => chooseIpv6('eth0', entries) === '2408:8000::9'));
  // A manually configured (permanent) address is preferred over autoconfigured ones.
  const manual = { address: '240e:ffff::1', device: 'eth0', prefixLength: 64, flags: IFA_F.PERMANENT };
  fc.assert(fc.property(fc.shuffledSubarray([...stable, ...noise, manual], { minLength: 7 }), (entries) => chooseIpv6('eth0', entries) === '240e:ffff::1'));
  t.pass();
});

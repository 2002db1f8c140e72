import { describe, expect, it } from 'vitest';
import { httpUrl } from './fields.js';

describe('httpUrl', () => {
  it.each([
    'https://example.com/audio.mp3',
    'http://example.com',
    'https://cdn.example.com:8443/a/b.blend?sig=abc#frag',
    'http://10.0.0.7:8080/clip.mov',
    'https://example.com/a@b.png',
  ])('accepts %s', (url) => {
    expect(httpUrl.safeParse(url).success).toBe(true);
  });

  it.each([
    ['ftp', 'ftp://example.com/audio.mp3'],
    ['file', 'file:///etc/passwd'],
    ['javascript', 'javascript:alert(1)'],
    ['data', 'data:text/plain,hello'],
    ['credentials', 'https://user:secret@example.com/a'],
    ['a user name alone', 'https://user@example.com/a'],
    ['a host hidden behind @', 'https://example.com@evil.test/'],
    ['a backslash host trick', 'https://evil.test\\@example.com/'],
    ['a missing //', 'https:example.com/a'],
    ['whitespace', 'https://example.com/a b'],
    ['a relative path', '/etc/passwd'],
    ['over 2048 characters', `https://example.com/${'a'.repeat(2048)}`],
  ])('refuses %s', (_, url) => {
    expect(httpUrl.safeParse(url).success).toBe(false);
  });
});

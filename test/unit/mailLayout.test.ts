import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contrast, textColorOn } from '../../src/mail/color.ts';
import { checkMessage, fillMessage } from '../../src/mail/message.ts';

test('the button text on any brand colour reads at 4.5:1 or better', () => {
  let worst = Infinity;
  for (let r = 0; r < 256; r += 15) {
    for (let g = 0; g < 256; g += 15) {
      for (let b = 0; b < 256; b += 15) {
        const bg = `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
        worst = Math.min(worst, contrast(bg, textColorOn(bg)));
      }
    }
  }
  assert.ok(worst >= 4.5, `worst contrast ${worst.toFixed(2)}`);
  assert.equal(textColorOn('#ffcc00'), '#000000');
  assert.equal(textColorOn('#1f4e8c'), '#ffffff');
});

test('an admin message parses, names only its placeholders, and tags are text', () => {
  assert.equal(checkMessage('Hello {name}, {count, plural, one {# day} other {# days}}', 'en', ['name', 'count']), null);
  assert.equal(checkMessage('Hello {nobody}', 'en', ['name'])?.key, 'mailTemplates.error.unknown');
  assert.equal(checkMessage('{count, plural, one {# {nobody}} other {#}}', 'en', ['count'])?.key, 'mailTemplates.error.unknown', 'inside a plural too');
  assert.equal(checkMessage('Hello {name', 'en', ['name'])?.key, 'mailTemplates.error.syntax');
  assert.equal(fillMessage('<b>{name}</b>', 'en', { name: '<i>x</i>' }), '<b><i>x</i></b>', 'plain text: the layout escapes it');
});

import { describe, expect, it } from 'vitest';
import { quoteForCmd, resolveWindowsCommand, spawnPlan } from '../../../src/lsp/spawn-command.js';

const WIN_ENV = { PATH: 'C:\\Tools;C:\\Users\\me\\AppData\\Roaming\\npm', PATHEXT: '.COM;.EXE;.BAT;.CMD', ComSpec: 'C:\\Windows\\system32\\cmd.exe' };

describe('spawnPlan', () => {
  it('spawns directly, without a shell, off Windows', () => {
    expect(spawnPlan('typescript-language-server', ['--stdio'], { platform: 'linux' })).toEqual({
      file: 'typescript-language-server',
      args: ['--stdio'],
      windowsVerbatimArguments: false,
    });
  });

  it('finds the npm .cmd launcher on PATH and runs it through cmd.exe with every argument quoted', () => {
    const exists = (f: string) => f === 'C:\\Users\\me\\AppData\\Roaming\\npm\\typescript-language-server.CMD';
    const plan = spawnPlan('typescript-language-server', ['--stdio', '--log-level', 'a b&c'], { platform: 'win32', env: WIN_ENV, exists });
    expect(plan.file).toBe('C:\\Windows\\system32\\cmd.exe');
    expect(plan.windowsVerbatimArguments).toBe(true);
    expect(plan.args.slice(0, 3)).toEqual(['/d', '/s', '/c']);
    expect(plan.args[3]).toBe('"C:\\Users\\me\\AppData\\Roaming\\npm\\typescript-language-server.CMD ^^^"--stdio^^^" ^^^"--log-level^^^" ^^^"a^^^ b^^^&c^^^""');
  });

  it('spawns an .exe directly, also on Windows', () => {
    const exists = (f: string) => f === 'C:\\Tools\\clangd.EXE';
    expect(spawnPlan('clangd', ['--log=error'], { platform: 'win32', env: WIN_ENV, exists })).toEqual({
      file: 'C:\\Tools\\clangd.EXE',
      args: ['--log=error'],
      windowsVerbatimArguments: false,
    });
  });

  it('uses a command with an extension or a path as given', () => {
    expect(resolveWindowsCommand('server.bat', WIN_ENV, () => true)).toBe('server.bat');
    expect(resolveWindowsCommand('.\\bin\\server', WIN_ENV, (f) => f === '.\\bin\\server.CMD')).toBe('.\\bin\\server.CMD');
    expect(resolveWindowsCommand('missing', WIN_ENV, () => false)).toBe('missing');
  });
});

describe('quoteForCmd', () => {
  it.each([
    ['plain', '^"plain^"'],
    ['with space', '^"with^ space^"'],
    ['say "hi"', '^"say^ \\^"hi\\^"^"'],
    ['C:\\dir\\', '^"C:\\dir\\\\^"'],
    ['a\\"b', '^"a\\\\\\^"b^"'],
    ['%PATH%!x!', '^"^%PATH^%^!x^!^"'],
    ['a&b|c<d>e^f', '^"a^&b^|c^<d^>e^^f^"'],
    ['', '^"^"'],
  ])('%j becomes %j', (arg, quoted) => {
    expect(quoteForCmd(arg)).toBe(quoted);
  });

  it('escapes twice for launchers that pass %* on', () => {
    expect(quoteForCmd('a&b', true)).toBe('^^^"a^^^&b^^^"');
  });
});

/**
 * Where `cairn user add` gets the password: all of stdin when it is piped (one trailing newline
 * dropped), else a prompt on the terminal that echoes nothing, asked twice.
 */
import { UsageError } from './errors.js';
import { readStdin } from './input-document.js';

/** Reads one line from a TTY in raw mode, echoing nothing; Ctrl-C and Ctrl-D abort. */
function promptHidden(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream, question: string): Promise<string> {
  stderr.write(question);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (error === undefined) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new UsageError('no password given'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

export async function readPassword(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream): Promise<string> {
  let password: string;
  if (stdin.isTTY) {
    password = await promptHidden(stdin, stderr, 'Password: ');
    if ((await promptHidden(stdin, stderr, 'Again: ')) !== password) throw new UsageError('the two passwords differ');
  } else {
    password = (await readStdin(stdin)).toString('utf8').replace(/\r?\n$/, '');
  }
  if (password === '') throw new UsageError('user add: the password is empty');
  return password;
}

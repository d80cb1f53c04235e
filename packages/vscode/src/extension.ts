// The VS Code side of `sandtrap lsp`: finds the binary (binary.ts), starts the language server
// over standard input and output for the documents of LANGUAGES, sends the settings
// (settings.ts) at start and on every change, and restarts when the binary setting changes.

import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

import { PLATFORM_PACKAGES, findBinary } from './binary';
import { LANGUAGES, serverSettings } from './settings';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The bundled binary keeps its executable bit in the .vsix, but an unpacking that drops modes
 * would leave it unusable: restore it (POSIX only; nothing to do when it is already set). */
function restoreExecutableBit(extensionPath: string): void {
  const pkg = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (!pkg || process.platform === 'win32') return;
  const file = path.join(extensionPath, 'node_modules', pkg, 'bin', 'sandtrap');
  try {
    if (fs.statSync(file).isFile() && !isExecutable(file)) fs.chmodSync(file, 0o755);
  } catch {
    // Not bundled in this build of the extension: resolution looks elsewhere.
  }
}

function settings() {
  const section = vscode.workspace.getConfiguration('sandtrap');
  return serverSettings((key) => section.get(key));
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const channel = output ?? vscode.window.createOutputChannel('sandtrap');
  output = channel;
  restoreExecutableBit(context.extensionPath);
  const found = findBinary({
    platform: process.platform,
    arch: process.arch,
    setting: vscode.workspace.getConfiguration('sandtrap').get<string>('path'),
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    extensionPath: context.extensionPath,
    pathEnv: process.env.PATH,
    pathExt: process.env.PATHEXT,
    isExecutable,
  });
  if (!found.ok) {
    channel.appendLine(found.message);
    const choice = await vscode.window.showErrorMessage(found.message, 'Open settings');
    if (choice === 'Open settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'sandtrap.path');
    }
    return;
  }
  channel.appendLine(`sandtrap: starting ${found.command} lsp (from ${found.source})`);
  const run = { command: found.command, args: ['lsp'], transport: TransportKind.stdio, options: { shell: found.shell } };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    initializationOptions: settings(),
    outputChannel: channel,
  };
  client = new LanguageClient('sandtrap', 'sandtrap', serverOptions, clientOptions);
  await client.start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) await running.stop();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('sandtrap.restart', async () => {
      await stop();
      await start(context);
    }),
    vscode.commands.registerCommand('sandtrap.showOutput', () => output?.show()),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration('sandtrap')) return;
      if (event.affectsConfiguration('sandtrap.path') || !client) {
        await stop();
        await start(context);
      } else {
        await client.sendNotification(DidChangeConfigurationNotification.type, { settings: settings() });
      }
    }),
  );
  await start(context);
}

export function deactivate(): Promise<void> {
  return stop();
}

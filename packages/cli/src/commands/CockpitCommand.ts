import { Option } from 'clipanion';
import { defaultCockpitDest, installCockpit } from '@fester/plugin-webui';
import { FesterCommand } from './FesterCommand.js';

export class CockpitInstallCommand extends FesterCommand {
  static override paths = [['cockpit', 'install']];
  static override usage = FesterCommand.Usage({
    description: 'Install the Cockpit module "Fester" (farm nodes, set-policy, builds, links to the live DAG and replay)',
    details: `
      Copies the module where Cockpit finds it: /usr/share/cockpit/fester as root, else
      ~/.local/share/cockpit/fester (Cockpit shows it after the next login). --coordinator
      and --token-file are kept in the module's config.json; the page reaches the
      coordinator through Cockpit itself (cockpit.http), so no CORS setup is needed.
      See docs/ui.md.
    `,
    examples: [
      ['System-wide, for a coordinator on this host', 'sudo fester cockpit install --coordinator http://127.0.0.1:7420 --token-file /etc/fester/token'],
      ['For the current user only', 'fester cockpit install --coordinator http://farm.lan:7420'],
    ],
  });

  dest = Option.String('--dest', { description: `Package folder (default: ${defaultCockpitDest()})` });
  coordinator = Option.String('--coordinator', { description: 'Coordinator URL the module shows, e.g. http://127.0.0.1:7420' });
  tokenFile = Option.String('--token-file', { description: 'Farm token file the module reads (through Cockpit) to sign policy changes, and reads from a --private-read coordinator' });

  async run(): Promise<number> {
    const r = installCockpit({ dest: this.dest, coordinator: this.coordinator, tokenFile: this.tokenFile });
    this.context.stdout.write(`installed the Cockpit module "Fester" in ${r.dest}\n`);
    this.context.stdout.write(r.config.coordinator ? `coordinator: ${r.config.coordinator}\n` : 'no coordinator set: give it in the module, or reinstall with --coordinator <url>\n');
    return 0;
  }
}

import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Option } from 'clipanion';
import { createCa, createToken, issueCert } from '@fester/core';
import { FesterCommand } from './FesterCommand.js';

const LOCAL_HOSTS = ['localhost', '127.0.0.1'];

export class FarmInitCommand extends FesterCommand {
  static override paths = [['farm', 'init']];
  static override usage = FesterCommand.Usage({
    description: 'Make a farm CA, certificates for the coordinator, agents and clients, and a token',
    details: `
      Writes into --dir: ca.pem/ca.key (keep ca.key safe), coordinator.pem/.key (valid for
      every --host), agent.pem/.key and client.pem/.key, and token (for a quick start over
      http://). Give agents and clients ca.pem plus their own pair; see docs/farm.md.
    `,
    examples: [['A farm whose coordinator is build-1.lan', 'fester farm init --dir /etc/fester/farm --host build-1.lan --host 10.0.0.5']],
  });

  dir = Option.String('--dir', '.fester-farm', { description: 'Folder for the CA, certificates and token' });
  hosts = Option.Array('--host', [], { description: 'Name or address the coordinator is reached by (repeatable)' });
  agents = Option.Array('--agent', [], { description: 'Also issue <name>.pem/.key for these agents (repeatable)' });

  async run(): Promise<number> {
    const dir = resolve(this.dir);
    await createCa(dir);
    const hosts = [...LOCAL_HOSTS, hostname(), ...this.hosts];
    await issueCert(dir, 'coordinator', hosts);
    for (const name of ['agent', 'client', ...this.agents]) await issueCert(dir, name, hosts);
    createToken(dir);
    this.context.stdout.write(`farm CA and certificates in ${dir}\n  coordinator: fester coordinator --tls ${dir}\n  agent:       fester agent --coordinator https://<host>:7420 --tls ${dir}\n  build:       fester build --farm https://<host>:7420 --tls ${dir}\n  token mode:  FESTER_FARM_TOKEN=$(cat ${dir}/token) with http:// URLs\n`);
    return 0;
  }
}

export class FarmCertCommand extends FesterCommand {
  static override paths = [['farm', 'cert']];
  static override usage = FesterCommand.Usage({
    description: 'Issue one more certificate from the farm CA (a new agent or client)',
    examples: [['A certificate for agent board-7', 'fester farm cert board-7 --dir /etc/fester/farm']],
  });

  name = Option.String({ required: true, name: 'name' });
  dir = Option.String('--dir', '.fester-farm', { description: 'Folder holding the farm CA' });
  hosts = Option.Array('--host', [], { description: 'Names/addresses this peer serves on (repeatable)' });

  async run(): Promise<number> {
    const dir = resolve(this.dir);
    await issueCert(dir, this.name, [...LOCAL_HOSTS, ...this.hosts]);
    this.context.stdout.write(`${dir}/${this.name}.pem and ${this.name}.key\n`);
    return 0;
  }
}

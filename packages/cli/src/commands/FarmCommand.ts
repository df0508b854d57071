import { Option } from 'clipanion';
import { FesterError, findConfigFile, loadConfig, farmEndpoint, type FarmEndpoint, type FarmSettings } from '@fester/core';
import { FesterCommand } from './FesterCommand.js';

/**
 * Commands that talk to a coordinator share how they find it: --farm, else festerconfig's
 * `farm.url`; credentials from --token / $FESTER_FARM_TOKEN or --tls <dir> (files of
 * `fester farm init`), else the config's.
 */
export abstract class FarmCommand extends FesterCommand {
  farm = Option.String('--farm', { description: 'Coordinator URL: http://host:port (token) or https://host:port (mTLS)' });
  token = Option.String('--token', { description: 'Farm token (default: $FESTER_FARM_TOKEN)' });
  tls = Option.String('--tls', { description: 'Folder with ca.pem and a certificate from `fester farm init` (https:// farms)' });
  certName = Option.String('--cert-name', { description: 'Base name of the certificate files in --tls (default: client)' });

  /** The farm settings from flags over festerconfig; undefined when neither names a farm. */
  protected async farmSettings(searchFrom = process.cwd()): Promise<FarmSettings | undefined> {
    const cfgFile = findConfigFile(searchFrom);
    const fromConfig = cfgFile ? (await loadConfig(searchFrom)).config.farm : undefined;
    const url = this.farm ?? fromConfig?.url;
    if (!url) return undefined;
    return {
      url,
      ...(this.token ?? fromConfig?.token ? { token: this.token ?? fromConfig?.token } : {}),
      ...(this.tls ?? fromConfig?.tls ? { tls: this.tls ?? fromConfig?.tls } : {}),
      ...(this.certName ?? fromConfig?.certName ? { certName: this.certName ?? fromConfig?.certName } : {}),
    };
  }

  protected async requireEndpoint(searchFrom = process.cwd()): Promise<FarmEndpoint> {
    const s = await this.farmSettings(searchFrom);
    if (!s) throw new FesterError('FE0801', { message: 'no farm given', hint: 'pass --farm http://host:port or set farm.url in festerconfig.ts' });
    return farmEndpoint(s);
  }
}

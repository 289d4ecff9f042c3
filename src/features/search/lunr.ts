// Owns loading lunr with the Spanish stemmer and stop words of lunr-languages, once per thread.
import { createRequire } from 'node:module';
import lunrModule from 'lunr';

const require = createRequire(import.meta.url);
require('lunr-languages/lunr.stemmer.support')(lunrModule);
require('lunr-languages/lunr.es')(lunrModule);

type PipelineFunction = (token: lunrModule.Token) => lunrModule.Token | undefined;
type LunrWithSpanish = typeof lunrModule & { es: { stemmer: PipelineFunction; stopWordFilter: PipelineFunction } };

export const lunr = lunrModule as LunrWithSpanish;

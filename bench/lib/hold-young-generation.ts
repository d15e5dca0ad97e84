// Imported first by a bench peer that may be a relay: V8's young generation held where it is
// before the peer loads its modules, as the `msrp-relay` bin does (its --max-semi-space-size=16
// would let it grow otherwise). No effect with the `msrp` bin's --max-semi-space-size=1.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');

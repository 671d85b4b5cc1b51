/* Placeholder until the fixture lands. */
#include "lb-test-fixture.h"

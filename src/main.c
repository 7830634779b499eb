/* gwstress entry point (skeleton; replaced as the engine lands). */
#include "gw_util.h"

int main(void)
{
	return 0;
}

/* gwsim: bundled reference gateway (skeleton). */
int main(void);
int main(void)
{
	return 0;
}

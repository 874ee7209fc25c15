import sys

from duban_demo.cli import main

sys.exit(main())

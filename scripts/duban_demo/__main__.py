import sys

from duban_demo.synth import main

sys.exit(main())

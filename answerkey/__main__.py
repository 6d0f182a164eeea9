import sys

from answerkey.cli import main

sys.exit(main())

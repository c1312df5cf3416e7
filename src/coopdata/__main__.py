"""``python -m coopdata``."""

from coopdata.cli import main

if __name__ == "__main__":
    main()

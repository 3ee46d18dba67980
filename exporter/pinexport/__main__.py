from pinexport.cli import main

raise SystemExit(main())
